#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{h as s}from"./chunk-SUPMQ3HV.js";import"./chunk-JPBRRVN2.js";import"./chunk-V664IE6S.js";import"./chunk-E6IT44X7.js";import"./chunk-SJ6MTAOM.js";import"./chunk-SRAQKQI5.js";import"./chunk-34Z52NT4.js";import"./chunk-EJ7XMEHN.js";import"./chunk-YZJFKBQ5.js";process.exitCode=await s(process.argv.slice(2),{stdout:process.stdout,stderr:process.stderr,env:process.env,cwd:process.cwd()});
