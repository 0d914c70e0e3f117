import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
var r=class extends Error{constructor(s){super(s),this.name="ConfigurationError"}};export{r as a};
