// A long-lived peer process driven one line at a time (the --serve mode of bench/peers/*.py):
// it is started once, prints one JSON line when it is ready (the result of its correctness check),
// and then answers each command written to its stdin with one JSON line. bench/all.mjs keeps these
// processes alive across the rounds so that no round pays for an interpreter start or an import.

import { spawn } from "node:child_process";
import readline from "node:readline";

export class ServedProcess {
  /** `label` names the process in error messages; the rest is spawn's. */
  constructor(label, file, args, options) {
    this.label = label;
    this.waiting = [];
    this.lines = [];
    this.stderr = "";
    this.exit = null;
    this.child = spawn(file, args, { ...options, stdio: ["pipe", "pipe", "pipe"] });
    this.child.on("error", (err) => this.fail(`${this.label}: could not start ${file}: ${err.message}`));
    // "close", not "exit": it comes after the last of stderr has been read, for the message.
    this.child.on("close", (code, signal) => {
      this.exit = code ?? signal;
      this.fail(`${this.label} exited (${signal ? `signal ${signal}` : `code ${code}`})${this.stderr ? `: ${this.stderr.trim()}` : ""}`);
    });
    // A write to a process that has died fails with EPIPE; the exit handler reports why it died.
    this.child.stdin.on("error", () => {});
    // Its stderr is shown line by line, under its label, and its end is kept for the error message.
    this.child.stderr.setEncoding("utf8");
    readline.createInterface({ input: this.child.stderr }).on("line", (line) => {
      process.stderr.write(`  ${this.label}: ${line}\n`);
      this.stderr = `${this.stderr}${line}\n`.slice(-4000);
    });
    readline.createInterface({ input: this.child.stdout }).on("line", (line) => {
      if (!line.trim()) return;
      let value;
      try {
        value = JSON.parse(line);
      } catch {
        this.fail(`${this.label} printed a line that is not JSON: ${line.slice(0, 200)}`);
        return;
      }
      const next = this.waiting.shift();
      if (next) next.resolve(value);
      else this.lines.push(value);
    });
  }

  fail(message) {
    this.error = this.error || new Error(message);
    for (const w of this.waiting.splice(0)) w.reject(this.error);
  }

  /** The next JSON line the process prints (the first one is its ready line). */
  next() {
    if (this.lines.length) return Promise.resolve(this.lines.shift());
    if (this.error) return Promise.reject(this.error);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** Writes one command line and resolves to the JSON line that answers it. */
  request(command) {
    if (this.error) return Promise.reject(this.error);
    const answer = this.next();
    this.child.stdin.write(`${command}\n`);
    return answer;
  }

  /** Asks the process to quit and waits until it has. */
  async close() {
    if (this.exit !== null || this.error) return;
    const done = new Promise((resolve) => this.child.once("close", resolve));
    this.child.stdin.end("quit\n");
    await done;
  }
}
