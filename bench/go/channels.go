// The goless benchmark workloads in Go (after goless's benchmark.go), for bench/channels.ts.
// Each workload does 10,000 operations; it runs once to warm up, then `reps` times, and the
// best run is kept (see bench/channels.ts for why).
// Prints one line per benchmark: `<name> <ns/op>`.
//
//	go run bench/go/channels.go
package main

import (
	"fmt"
	"sort"
	"time"
)

const queueLen = 10000
const reps = 15

func benchChannel(chanSize int) time.Duration {
	c := make(chan int, chanSize)
	start := time.Now()
	go func() {
		for i := 0; i < queueLen; i++ {
			c <- 0
		}
		close(c)
	}()
	for i := 0; i < queueLen; i++ {
		<-c
	}
	return time.Since(start)
}

func benchSelect(useDefault bool) time.Duration {
	c := make(chan int)
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case c <- 0:
			case <-stop:
				return
			}
			select {
			case <-c:
			case <-stop:
				return
			}
		}
	}()
	start := time.Now()
	if useDefault {
		for i := 0; i < queueLen; i++ {
			select {
			case c <- 1:
			case <-c:
			case c <- 1:
			case <-c:
			default:
			}
		}
	} else {
		for i := 0; i < queueLen; i++ {
			select {
			case c <- 1:
			case <-c:
			case c <- 1:
			case <-c:
			}
		}
	}
	took := time.Since(start)
	close(stop)
	return took
}

func best(f func() time.Duration) float64 {
	f() // warm-up
	times := make([]float64, reps)
	for i := range times {
		times[i] = float64(f().Nanoseconds())
	}
	sort.Float64s(times)
	return times[0] / queueLen
}

func main() {
	fmt.Printf("chan_sync %.1f\n", best(func() time.Duration { return benchChannel(0) }))
	fmt.Printf("chan_async %.1f\n", best(func() time.Duration { return benchChannel(queueLen + 1) }))
	fmt.Printf("chan_buff %.1f\n", best(func() time.Duration { return benchChannel(1000) }))
	fmt.Printf("select %.1f\n", best(func() time.Duration { return benchSelect(false) }))
	fmt.Printf("select_default %.1f\n", best(func() time.Duration { return benchSelect(true) }))
}
