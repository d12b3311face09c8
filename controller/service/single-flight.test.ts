import { describe, expect, it } from "vitest";
import { SingleFlight } from "./single-flight.js";

/** A promise with its resolve and reject. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("SingleFlight", () => {
  it.each([2, 10, 100])("%i concurrent callers of one key share one call and its answer", async (n) => {
    const flights = new SingleFlight<string, number>();
    const gate = deferred<number>();
    let calls = 0;
    const work = async () => {
      calls++;
      return gate.promise;
    };
    const answers = Array.from({ length: n }, () => flights.do("ACME001", work));
    gate.resolve(42);
    expect(await Promise.all(answers)).toEqual(Array(n).fill(42));
    expect(calls).toBe(1);
  });

  it("keeps nothing once the call settles: the next caller reads again", async () => {
    const flights = new SingleFlight<string, number>();
    let calls = 0;
    const work = async () => ++calls;
    expect(await flights.do("a", work)).toBe(1);
    expect(flights.size).toBe(0);
    expect(await flights.do("a", work)).toBe(2);
  });

  it("runs different keys apart", async () => {
    const flights = new SingleFlight<string, string>();
    const seen: string[] = [];
    const work = (k: string) => async () => {
      seen.push(k);
      return k;
    };
    expect(await Promise.all([flights.do("a", work("a")), flights.do("b", work("b"))])).toEqual(["a", "b"]);
    expect(seen).toEqual(["a", "b"]);
  });

  it("gives every caller the failure, and forgets it", async () => {
    const flights = new SingleFlight<string, number>();
    const gate = deferred<number>();
    const work = () => gate.promise;
    const a = flights.do("k", work);
    const b = flights.do("k", work);
    gate.reject(new Error("ECONNREFUSED"));
    await expect(a).rejects.toThrow("ECONNREFUSED");
    await expect(b).rejects.toThrow("ECONNREFUSED");
    expect(await flights.do("k", async () => 7)).toBe(7);
  });

  it("a caller that gives up leaves the call running for the others", async () => {
    const flights = new SingleFlight<string, number>();
    const gate = deferred<number>();
    let shared: AbortSignal | undefined;
    const work = (signal: AbortSignal) => {
      shared = signal;
      return gate.promise;
    };
    const leaving = new AbortController();
    const a = flights.do("k", work, leaving.signal);
    const b = flights.do("k", work, new AbortController().signal);
    leaving.abort(new Error("client went away"));
    await expect(a).rejects.toThrow("client went away");
    expect(shared?.aborted).toBe(false);
    gate.resolve(5);
    expect(await b).toBe(5);
  });

  it("stops the call when every caller has gone, and starts afresh after", async () => {
    const flights = new SingleFlight<string, number>();
    let shared: AbortSignal | undefined;
    const work = (signal: AbortSignal) => {
      shared = signal;
      return new Promise<number>((_, reject) =>
        signal.addEventListener("abort", () => reject(signal.reason)),
      );
    };
    const one = new AbortController();
    const two = new AbortController();
    const a = flights.do("k", work, one.signal);
    const b = flights.do("k", work, two.signal);
    one.abort(new Error("one"));
    two.abort(new Error("two"));
    await expect(a).rejects.toThrow("one");
    await expect(b).rejects.toThrow("two");
    expect(shared?.aborted).toBe(true);
    expect(flights.size).toBe(0);
    expect(await flights.do("k", async () => 1)).toBe(1);
  });

  it("refuses at once a caller whose signal already fired", async () => {
    const flights = new SingleFlight<string, number>();
    let calls = 0;
    await expect(flights.do("k", async () => ++calls, AbortSignal.abort(new Error("gone")))).rejects.toThrow(
      "gone",
    );
    expect(calls).toBe(0);
  });
});
