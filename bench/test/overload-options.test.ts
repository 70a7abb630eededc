// The overload bench's command line, as a table: each flag's value as parsed, and a wrong one refused with a line
// that names the flag (the bench then prints its usage and exits 2).
import t from 'tap';
import { parseOverloadOptions, UsageError } from '../overload-options.js';

const accepted = [
  { args: [], expect: { scenario: 'backend', factor: 3, capacity: 0, durationSec: 8 } },
  { args: ['--scenario', 'cpu', '--capacity', '2250', '--max-concurrent', '2'], expect: { scenario: 'cpu', capacity: 2250, maxConcurrentRequests: 2 } },
  { args: ['--factor', '2.5', '--duration', '6'], expect: { factor: 2.5, durationSec: 6 } },
];

const refused = [
  { args: ['--capacity', 'fast'], message: /^--capacity: expected an integer from 0 to 1000000, got "fast"/ },
  { args: ['--capacity', '-5'], message: /--capacity/ },
  { args: ['--capcity', '5'], message: /Unknown option '--capcity'/ },
  { args: ['--scenario', 'disk'], message: /^--scenario: expected backend or cpu/ },
  { args: ['--factor', '20'], message: /^--factor: expected a number from 1 to 10/ },
];

for (const { args, expect } of accepted) {
  t.test(`accepted: ${args.join(' ') || '(defaults)'}`, async (t) => {
    t.match(parseOverloadOptions(args), expect);
  });
}

for (const { args, message } of refused) {
  t.test(`refused: ${args.join(' ')}`, async (t) => {
    let error: unknown;
    try {
      parseOverloadOptions(args);
    } catch (thrown) {
      error = thrown;
    }
    t.ok(error instanceof UsageError, 'refused as a usage error');
    t.match((error as Error).message, message, 'naming the flag');
  });
}
