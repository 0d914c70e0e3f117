#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{h as s}from"./chunk-TCSZQT3T.js";import"./chunk-YR3I534X.js";import"./chunk-DERI5OJ6.js";import"./chunk-E6IT44X7.js";import"./chunk-F766N2S3.js";import"./chunk-SRAQKQI5.js";import"./chunk-EJ7XMEHN.js";import"./chunk-W2UVDJHO.js";import"./chunk-SJ6MTAOM.js";import"./chunk-YZJFKBQ5.js";process.exitCode=await s(process.argv.slice(2),{stdout:process.stdout,stderr:process.stderr,env:process.env,cwd:process.cwd()});
