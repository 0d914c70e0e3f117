import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{a,b,c}from"./chunk-7HMMH6OQ.js";import"./chunk-VH7RYUYO.js";import"./chunk-SJ6MTAOM.js";import"./chunk-34Z52NT4.js";import"./chunk-YZJFKBQ5.js";export{c as formatWorkflowCommand,b as planAnnotations,a as workspaceRelativePath};
