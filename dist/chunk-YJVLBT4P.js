import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{a}from"./chunk-UJM7JI3B.js";import"./chunk-RPBLRIRP.js";import"./chunk-BMM4KHRL.js";import"./chunk-A2L4JTV4.js";import"./chunk-SRAQKQI5.js";import"./chunk-EJ7XMEHN.js";import"./chunk-34Z52NT4.js";import"./chunk-YZJFKBQ5.js";export{a as verifyArtifacts};
