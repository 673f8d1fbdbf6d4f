import { Catch } from '@nestjs/common';
import type { GqlExceptionFilter } from '@nestjs/graphql';
import { DomainError } from './domain-errors.js';

/**
 * Domain errors are answers, not failures: hand them to the GraphQL error formatter without Nest logging them
 * (their details can hold personal data).
 */
@Catch(DomainError)
export class DomainErrorFilter implements GqlExceptionFilter {
  catch(error: DomainError): DomainError {
    return error;
  }
}
