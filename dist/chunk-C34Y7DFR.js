import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{a}from"./chunk-KQC6VOZH.js";import"./chunk-4VOOO4JY.js";import"./chunk-BMM4KHRL.js";import"./chunk-A2L4JTV4.js";import"./chunk-SRAQKQI5.js";import"./chunk-EJ7XMEHN.js";import"./chunk-34Z52NT4.js";import"./chunk-YZJFKBQ5.js";export{a as verifyArtifacts};
