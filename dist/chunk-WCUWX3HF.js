import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{a,b,c}from"./chunk-KSLXESQP.js";import"./chunk-EKYZFVQK.js";import"./chunk-JZRK5XJQ.js";import"./chunk-RG4ACLOA.js";import"./chunk-KU77HASN.js";import"./chunk-JOTHZTBP.js";export{c as formatWorkflowCommand,b as planAnnotations,a as workspaceRelativePath};
