; Guile's functional hash tables (vhashes), as the issue's comparison used.
(use-modules (ice-9 vlist))
(define m (let loop ((i 0) (m vlist-null)) (if (< i 200000) (loop (+ i 1) (vhash-consv i (* 2 i) m)) m)))
(display (let loop ((i 0) (acc 0)) (if (< i 200000) (loop (+ i 1) (+ acc (cdr (vhash-assv i m)))) acc))) (newline)
