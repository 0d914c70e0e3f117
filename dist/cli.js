#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{h as s}from"./chunk-OBU3XXGB.js";import"./chunk-JHRQW6BI.js";import"./chunk-UZCZBJAO.js";import"./chunk-JZRK5XJQ.js";import"./chunk-E6IT44X7.js";import"./chunk-SRAQKQI5.js";import"./chunk-RG4ACLOA.js";import"./chunk-EJ7XMEHN.js";import"./chunk-KU77HASN.js";import"./chunk-JOTHZTBP.js";process.exitCode=await s(process.argv.slice(2),{stdout:process.stdout,stderr:process.stderr,env:process.env,cwd:process.cwd()});
