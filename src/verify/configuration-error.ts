/**
 * A wrong option or unreadable trust material: the run cannot start (exit status 2). Apart from
 * configure.ts so that the command line can tell it apart without loading the verifier, which it
 * imports only when a command needs it.
 */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}
