import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{a}from"./chunk-ZRO6MCBQ.js";import"./chunk-XGYFQFUL.js";import"./chunk-VLJOAR7F.js";import"./chunk-G5FK3CJB.js";import"./chunk-SRAQKQI5.js";import"./chunk-EJ7XMEHN.js";import"./chunk-34Z52NT4.js";import"./chunk-YZJFKBQ5.js";export{a as verifyArtifacts};
