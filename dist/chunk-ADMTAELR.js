import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{a}from"./chunk-GDKVFGM3.js";import"./chunk-ACWHJTJ3.js";import"./chunk-4NGYWCNX.js";import"./chunk-NKM4NMUA.js";import"./chunk-SRAQKQI5.js";import"./chunk-EJ7XMEHN.js";import"./chunk-34Z52NT4.js";import"./chunk-YZJFKBQ5.js";export{a as verifyArtifacts};
