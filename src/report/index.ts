export type * from './model.js';
export {
  escapeHtml,
  escapeInvisible,
  escapeMarkdownInline,
  escapeWorkflowData,
  escapeWorkflowProperty,
  sanitizeForTerminal,
} from './escape.js';
export {
  CODE_DESCRIPTIONS,
  codeHelpMarkdown,
  codeHelpText,
  describeCode,
  OSSLSIGNCODE_DIFFERENCES,
  renderFindingCodesDoc,
  type CodeDescription,
  type OsslsigncodeDifference,
} from './code-descriptions.js';
export { hresultName } from './hresult-names.js';
export { artifactStatus, renderJson, summarize } from './json.js';
export { renderText, type TextOptions } from './text.js';
export { buildSarif, renderSarif, type SarifLog, type SarifOptions } from './sarif.js';
export {
  formatWorkflowCommand,
  planAnnotations,
  workspaceRelativePath,
  type Annotation,
  type AnnotationLevel,
  type AnnotationOptions,
} from './annotations.js';
export { renderSummary, type SummaryContext, type SummaryOptions } from './summary.js';
