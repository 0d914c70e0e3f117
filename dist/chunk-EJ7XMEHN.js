import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
var o={thisUpdate:"2025-06-16T17:56:11Z",sequenceNumber:"1401DBDEE7F1A4F449",origin:"Microsoft Trusted Root Program (authroot.stl, Windows automatic root update)",listed:514};export{o as a};
