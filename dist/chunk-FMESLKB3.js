import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{a,b,c}from"./chunk-H3NT25VQ.js";import"./chunk-R672JS2E.js";import"./chunk-SJ6MTAOM.js";import"./chunk-5UAZVQNW.js";import"./chunk-YZJFKBQ5.js";export{c as formatWorkflowCommand,b as planAnnotations,a as workspaceRelativePath};
