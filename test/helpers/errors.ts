import { expect } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';

/** Asserts that `call` throws an InvalidArgumentError naming `field` (and, if given, matching `message`). */
export function expectInvalidArgument(call: () => unknown, field: string, message?: RegExp): void {
  let caught: unknown;
  try {
    call();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(InvalidArgumentError);
  expect((caught as InvalidArgumentError).field).toBe(field);
  expect((caught as InvalidArgumentError).code).toBe('invalid_argument');
  if (message) expect((caught as InvalidArgumentError).message).toMatch(message);
}
