//! A generated yin file of any length, typical code (defn with docstrings, let, cond, loop,
//! threading, literals), shared by the benches that measure per-file costs so their figures line
//! up.

const TEMPLATE: &str = r#"(defn step-N
  "Advances the state of machine N by one event."
  [state event]
  (let [count (get state :count 0)
        seen (conj (get state :seen []) event)]
    (cond
      (= event :reset) {:count 0 :seen []}
      (> count 100) (assoc state :overflow true)
      :else (-> state
                (assoc :count (inc count))
                (assoc :seen seen)))))

(defn sum-N [xs]
  (loop [i 0 acc 0]
    (if (< i (count xs))
      (recur (inc i) (+ acc (nth xs i)))
      acc)))

(def table-N {:name "machine N" :limit 42 :tags #{:a :b} :ratio 5/2})

(defn run-N [events]
  (->> events (reduce step-N {}) :count (* 2)))

"#;

/// About `lines` lines of generated code: whole copies of one template, numbered apart.
pub fn source(lines: usize) -> String {
    let per = TEMPLATE.lines().count();
    (0..lines.div_ceil(per))
        .map(|i| {
            TEMPLATE
                .replace("-N", &format!("-{i}"))
                .replace(" N", &format!(" {i}"))
        })
        .collect()
}
