(define xs (let loop ((i 20000) (acc '())) (if (= i 0) acc (loop (- i 1) (cons i acc)))))
(define (sum s) (let loop ((s s) (acc 0)) (if (null? s) acc (loop (cdr s) (+ acc (car s))))))
(display (let loop ((i 0) (r 0)) (if (< i 20) (loop (+ i 1) (sum xs)) r))) (newline)
