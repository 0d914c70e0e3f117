import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{a as b,b as c,c as d,d as e}from"./chunk-5SY2ZMKU.js";import"./chunk-Y4MSWK35.js";import{i as a}from"./chunk-EQYTUMBP.js";import"./chunk-BIA2H55F.js";import"./chunk-YZJFKBQ5.js";export{b as CLOCK_SKEW_MS,c as CrlFormatError,d as RevocationList,a as iso,e as normalizedSerial};
