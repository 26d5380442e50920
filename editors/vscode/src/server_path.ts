/**
 * Where the `yin` binary is: the `yin.serverPath` setting, a path or a bare name looked up on
 * PATH as a shell would. Knows nothing of the language client.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The executable the setting names, or `undefined` when there is none. */
export function findServer(setting: string): string | undefined {
  const wanted = setting.trim() === "" ? "yin" : expandHome(setting.trim());
  if (wanted.includes("/") || wanted.includes("\\")) {
    return isExecutable(wanted) ? path.resolve(wanted) : undefined;
  }
  const extensions = process.platform === "win32" ? (process.env.PATHEXT ?? ".EXE").split(";") : [""];
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    for (const ext of extensions) {
      const candidate = path.join(dir, wanted + ext);
      if (dir !== "" && isExecutable(candidate)) {
        return candidate;
      }
    }
  }
  // Editors started from a desktop menu often lack the login shell's PATH; scripts/setup
  // installs with `cargo install`, so look where that puts binaries.
  const cargo = path.join(process.env.CARGO_HOME ?? path.join(os.homedir(), ".cargo"), "bin", wanted);
  return isExecutable(cargo) ? cargo : undefined;
}

function expandHome(p: string): string {
  return p === "~" || p.startsWith("~/") ? path.join(os.homedir(), p.slice(1)) : p;
}

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}
