(display (let loop ((i 0) (acc 0)) (if (< i 1000000) (loop (+ i 1) (+ acc i)) acc))) (newline)
