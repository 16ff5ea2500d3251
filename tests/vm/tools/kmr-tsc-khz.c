// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmr-tsc-khz: prints the host's TSC frequency in kHz. Runs on the host.
 *
 * Under TCG a guest's TSC counts at the host's TSC rate. The guest kernel
 * calibrates its TSC against the emulated PIT early in boot; when the host
 * is loaded and the vCPU thread is descheduled during that calibration, the
 * result is far off (seen: 568 MHz for a 2596 MHz TSC), the later refinement
 * against the HPET rejects a correction of more than 1 %, and with
 * tsc=reliable the guest's clock then runs several times too fast: every
 * sleep and timeout inside the guest (the scenarios' polls, D-Bus reply
 * timeouts) becomes a fraction of what it says. The lab passes this
 * measurement as tsc_early_khz= so the guest does not calibrate at all.
 *
 * Measures the TSC against CLOCK_MONOTONIC_RAW over 200 ms. Each end point
 * is read between two clock reads less than 20 us apart (retried otherwise),
 * so a preemption on a loaded host does not skew it.
 */
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <x86intrin.h>

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC_RAW, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A TSC reading and the time it was taken, or -1 if no tight read came. */
static int sample(uint64_t *tsc, double *when)
{
	for (int i = 0; i < 1000; i++) {
		double a = now();
		uint64_t c = __rdtsc();
		double b = now();

		if (b - a < 20e-6) {
			*tsc = c;
			*when = (a + b) / 2;
			return 0;
		}
	}
	return -1;
}

int main(void)
{
	uint64_t c0, c1;
	double t0, t1;
	struct timespec pause = {0, 200 * 1000 * 1000};

	if (sample(&c0, &t0) != 0)
		return 1;
	nanosleep(&pause, NULL);
	if (sample(&c1, &t1) != 0 || t1 <= t0 || c1 <= c0)
		return 1;
	printf("%.0f\n", (double)(c1 - c0) / (t1 - t0) / 1000.0);
	return 0;
}
