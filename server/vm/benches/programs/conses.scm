(display (length (let loop ((i 0) (acc '())) (if (< i 40000) (loop (+ i 1) (cons i acc)) acc)))) (newline)
