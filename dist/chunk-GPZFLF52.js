import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{a}from"./chunk-SMIPKGEG.js";import"./chunk-GSS7GAUB.js";import"./chunk-C5ECNLHP.js";import"./chunk-A2L4JTV4.js";import"./chunk-SRAQKQI5.js";import"./chunk-EJ7XMEHN.js";import"./chunk-5UAZVQNW.js";import"./chunk-YZJFKBQ5.js";export{a as verifyArtifacts};
