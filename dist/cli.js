#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{h as s}from"./chunk-DSHT7PPT.js";import"./chunk-FXMJPG6I.js";import"./chunk-UIKE3HZU.js";import"./chunk-E6IT44X7.js";import"./chunk-SRAQKQI5.js";import"./chunk-EJ7XMEHN.js";import"./chunk-SJ6MTAOM.js";import"./chunk-5UAZVQNW.js";import"./chunk-YZJFKBQ5.js";process.exitCode=await s(process.argv.slice(2),{stdout:process.stdout,stderr:process.stderr,env:process.env,cwd:process.cwd()});
