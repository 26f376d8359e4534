#ifndef HP_REPORT_H
#define HP_REPORT_H

/*
 * The report protocol: a variant appends its self-measured metrics to the
 * file named by the environment variable HP_REPORT, one JSON object per line:
 *
 *   {"name":"time_ms","value":12.5,"unit":"ms","better":"lower"}
 *
 * Names are [a-z0-9_]+. When HP_REPORT is unset (a user running the variant by
 * hand) the lines go to stderr instead, so nothing is lost. Each call opens,
 * appends and closes the file: it is meant for the end of a run, not for a
 * timed section.
 */
enum hp_better {
	HP_LOWER_IS_BETTER,
	HP_HIGHER_IS_BETTER,
};

/* Returns 0, or -errno when the file cannot be written (a message is printed too). */
int hp_report_metric(const char *name, double value, const char *unit, enum hp_better better);

#endif
