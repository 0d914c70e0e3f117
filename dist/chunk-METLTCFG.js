import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{a as b,b as c,c as d,d as e}from"./chunk-Y7AQ7HOX.js";import"./chunk-QDL4I5C6.js";import{i as a}from"./chunk-EQYTUMBP.js";import"./chunk-BIA2H55F.js";import"./chunk-YZJFKBQ5.js";export{b as CLOCK_SKEW_MS,c as CrlFormatError,d as RevocationList,a as iso,e as normalizedSerial};
