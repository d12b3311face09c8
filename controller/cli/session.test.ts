import { describe, expect, it } from "vitest";
import { CliError } from "./errors.js";
import { withSession } from "./session.js";

describe("withSession", () => {
  it.each([
    ["--state-dir", { stateDir: "" }],
    ["--log-file", { logFile: "  " }],
    ["--source", { source: "" }],
  ])(
    "refuses an empty %s before opening anything (an empty state folder would be the working directory)",
    async (flag, flags) => {
      let opened = false;
      const got = withSession(
        { url: "http://127.0.0.1:1", domain: "d", username: "u", ...flags },
        async () => {
          opened = true;
        },
        { env: { OMNIA_PASSWORD: "p" }, interactive: false },
      );
      await expect(got).rejects.toThrow(new CliError(`${flag}: must not be empty`, 2));
      expect(opened).toBe(false);
    },
  );
});
