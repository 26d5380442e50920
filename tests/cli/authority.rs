//! No ambient authority: yin code cannot reach files, the environment, processes, the network or
//! the host's namespaces. Each attempt, written the ways a Clojure programmer would try it, must
//! fail closed: exit 1 with an error, and nothing on the file system changes. The files the
//! attempts name live in a fresh temporary folder, which must stay empty.

use expect_test::expect;

use super::{workspace, yin};

#[test]
fn every_door_to_the_host_is_closed() {
    let ws = workspace(&[]);
    let target = ws.path().join("written.txt");
    let target = target.display().to_string();
    let source = ws.path().join("secret.txt");
    let attempts = [
        format!("(spit {target:?} \"owned\")"),
        format!("(slurp {:?})", source.display().to_string()),
        "(sh \"touch\" \"written.txt\")".to_owned(),
        "(clojure.java.shell/sh \"touch\" \"written.txt\")".to_owned(),
        "(require 'clojure.java.shell)".to_owned(),
        "(require '[clojure.java.io :as io])".to_owned(),
        "(ns evil (:require [clojure.java.shell :refer [sh]]))".to_owned(),
        "(import java.io.File)".to_owned(),
        "(System/getenv \"HOME\")".to_owned(),
        "(System/exit 3)".to_owned(),
        "(.exec (Runtime/getRuntime) \"touch written.txt\")".to_owned(),
        "(. System getenv \"HOME\")".to_owned(),
        "(.. System (getProperties) (get \"user.home\"))".to_owned(),
        "(new java.io.FileWriter \"written.txt\")".to_owned(),
        "(java.io.FileWriter. \"written.txt\")".to_owned(),
        "(java.net.Socket. \"localhost\" 80)".to_owned(),
        "(load-file \"secret.txt\")".to_owned(),
        "(load \"secret\")".to_owned(),
        format!("(eval (read-string \"(spit {target:?} 1)\"))"),
        "((resolve 'slurp) \"secret.txt\")".to_owned(),
        "#=(java.lang.System/exit 0)".to_owned(),
        // Hidden behind a function, a macro and a higher-order call: still closed when run.
        format!("(defn save [] (spit {target:?} 1))\n(save)"),
        format!("(defmacro save [] (list 'spit {target:?} 1))\n(save)"),
        "(map slurp [\"secret.txt\"])".to_owned(),
    ];
    let mut report = String::new();
    for attempt in &attempts {
        let run = yin(&["eval", "-e", attempt], ws.path());
        assert_eq!(run.code, 1, "{attempt}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{attempt}: {}", run.stdout);
        report.push_str(&run.stderr.replace(&target, "$TARGET"));
    }
    let left: Vec<_> = std::fs::read_dir(ws.path())
        .expect("the folder is readable")
        .collect();
    assert!(left.is_empty(), "the attempts created {left:?}");
    expect![[r#"
        error: <-e>:1:2: unresolved symbol: spit
        error: <-e>:1:2: unresolved symbol: slurp
        error: <-e>:1:2: unresolved symbol: sh
        error: <-e>:1:2: unresolved symbol: clojure.java.shell/sh
        error: <-e>:1:1: require: no namespace `clojure.java.shell` in yin: there is no host interop and no loading of files; clojure.string and clojure.set are always available (as str/ and set/)
        error: <-e>:1:1: require: no namespace `clojure.java.io` in yin: there is no host interop and no loading of files; clojure.string and clojure.set are always available (as str/ and set/)
        error: <-e>:1:21: ns: no namespace `clojure.java.shell` in yin: there is no host interop and no loading of files; clojure.string and clojure.set are always available (as str/ and set/)
        error: <-e>:1:2: unresolved symbol: import
        error: <-e>:1:2: unresolved symbol: System/getenv
        error: <-e>:1:2: unresolved symbol: System/exit
        error: <-e>:1:2: Java interop (`.exec`) is not supported in yin
        error: <-e>:1:2: `.` is not supported in yin
        error: <-e>:1:2: unresolved symbol: ..
        error: <-e>:1:2: `new` is not supported in yin
        error: <-e>:1:2: Java interop (`java.io.FileWriter.`) is not supported in yin
        error: <-e>:1:2: Java interop (`java.net.Socket.`) is not supported in yin
        error: <-e>:1:2: unresolved symbol: load-file
        error: <-e>:1:2: unresolved symbol: load
        error: <-e>:1:2: unresolved symbol: eval
        error: <-e>:1:3: unresolved symbol: resolve
        error: <-e>:1:1: read-eval `#=` is not supported in yin
        error: <-e>:1:16: unresolved symbol: spit
        error: <-e>:2:1: unresolved symbol: spit
        error: <-e>:1:6: unresolved symbol: slurp
    "#]]
    .assert_eq(&report);
}
