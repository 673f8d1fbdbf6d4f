import { ConsoleLogger } from '@nestjs/common';
import { scrubText } from '../access/masking.js';

/**
 * The app's logger: Nest's console logger with every ID and phone number in a message or stack trace masked by
 * the one masking rule, whatever wrote the line (a failed query's parameters, an error message quoting input).
 */
export class ScrubbingLogger extends ConsoleLogger {
  protected override stringifyMessage(message: unknown, logLevel: Parameters<ConsoleLogger['stringifyMessage']>[1]): string {
    return scrubText(super.stringifyMessage(message, logLevel));
  }

  protected override printStackTrace(stack: string): void {
    super.printStackTrace(typeof stack === 'string' ? scrubText(stack) : stack);
  }
}
