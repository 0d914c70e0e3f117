import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{a,b,c}from"./chunk-LKINH5EJ.js";import"./chunk-F766N2S3.js";import"./chunk-W2UVDJHO.js";import"./chunk-ULYEPJQF.js";import"./chunk-SJ6MTAOM.js";import"./chunk-YZJFKBQ5.js";export{c as formatWorkflowCommand,b as planAnnotations,a as workspaceRelativePath};
