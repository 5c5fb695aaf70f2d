/* fw_export: `flywheel export RUN_DIR ...`, a finished (or stopped) run in the formats
 * network and data tools read:
 *
 *   --graphml FILE [--tick N]  the alliance network at one tick (GraphML, for NetworkX,
 *                              igraph, Gephi, yEd)
 *   --gexf FILE                the whole run as a dynamic graph (GEXF 1.2, for Gephi's
 *                              timeline): edges with their spells, node figures over time
 *   --long-csv FILE            metrics.csv in long form (tick, month, metric, entity,
 *                              value, unit, seed, run_id), for pandas and R
 *
 * events.log is the source (read with fw_eventlog_read, as a resumed run reads it);
 * metrics.csv is the long CSV's, its units fw_metric_defs'. docs/outputs.md "Export"
 * defines the nodes, the edges and their attributes.
 */
#ifndef FW_EXPORT_H
#define FW_EXPORT_H

#include <stdio.h>

/* Exit codes of the command. */
enum {
    FW_EXPORT_OK = 0,
    FW_EXPORT_EWRITE = 1,  /* an output file could not be written */
    FW_EXPORT_USAGE = 2,   /* bad usage, or a tick the run does not have */
    FW_EXPORT_BADRUN = 3,  /* the run directory's files cannot be read */
};

/* `flywheel export ...` (argv[0] is "export"). */
int fw_export_main(int argc, char **argv);

void fw_export_usage(FILE *out);

#endif
