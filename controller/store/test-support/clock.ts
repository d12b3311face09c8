/** A clock a test moves by hand, for `openStore({clock})`: `now()` is a new Date each call. */
export function manualClock(start = Date.UTC(2026, 0, 1, 12, 0, 0)) {
  let now = start;
  return {
    now: () => new Date(now),
    /** Moves the clock `ms` forward. */
    advance: (ms: number) => {
      now += ms;
    },
    /** `ms` from now, as a Date. */
    in: (ms: number) => new Date(now + ms),
  };
}

/** A test clock (see `manualClock`). */
export type ManualClock = ReturnType<typeof manualClock>;
