// Following the centre for ever, with one retry policy for every page (staff console,
// /rate/ terminal, phone page): after a failure wait `firstMs`, then twice as long
// each time up to `maxMs`; any answer starts again from `firstMs`.

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Runs `step` (one long-poll and what to do with its answer) again and again until it
// returns false. When it throws, `failed(err)` is told (false: stop) before the wait.
export async function follow(step, { failed = () => true, firstMs = 500, maxMs = 5000 } = {}) {
  let delay = firstMs;
  for (;;) {
    try {
      if ((await step()) === false) return;
      delay = firstMs;
    } catch (err) {
      if (failed(err) === false) return;
      await sleep(delay);
      delay = Math.min(delay * 2, maxMs);
    }
  }
}

// Runs `task` until it succeeds once (the same waits between tries); resolves to its result.
export async function retry(task, options = {}) {
  let result;
  await follow(async () => { result = await task(); return false; }, options);
  return result;
}
