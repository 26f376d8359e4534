# Heap timeline of one case, one line per variant, from massif (valgrind
# --tool=massif --time-unit=B): x is massif's "time" in bytes, the bytes
# allocated and freed so far, so the length of a line is the variant's
# allocation traffic and every variant is plotted against the work its
# allocator did rather than against the clock; y is the heap the
# process held at that moment, including malloc's per-block overhead (the
# "total" of ms_print's graph). Both axes are scaled to B, KiB, MiB or GiB
# from the largest value, so the tick labels stay short.
#
# Variables (gnuplot -e):
#   datafiles  space-separated .dat files, one per variant
#   titles     space-separated legend titles, in the same order (variant names)
#   out        the output file
#   term       'svg', or 'png' / 'pngcairo' (both mean the cairo PNG terminal)
#   title      the chart's title
# Data columns (common/scripts/profile.sh writes them): time_B heap_B useful_B extra_B;
# lines starting with # are comments.

if (!exists('datafiles') || !exists('out')) {
    print 'heap.gp: set datafiles and out with -e'
    exit status 2
}
if (!exists('titles')) titles = datafiles
if (!exists('term')) term = 'svg'
if (!exists('title')) title = 'Heap over the run'

if (term eq 'svg') {
    set terminal svg size 760,400 dynamic enhanced font 'DejaVu Sans,12' background rgb 'white'
} else {
    set terminal pngcairo size 1520,800 enhanced font 'DejaVu Sans,22' background rgb 'white'
}
set output out

# The largest x and y over every file pick the units of both axes.
xmax = 0
ymax = 0
do for [i = 1:words(datafiles)] {
    stats word(datafiles, i) using 1:2 nooutput
    if (STATS_max_x > xmax) { xmax = STATS_max_x }
    if (STATS_max_y > ymax) { ymax = STATS_max_y }
}
# Switch unit at 4 of the next one, so a 3 MiB heap reads "3072 KiB" rather than "3 MiB" with one tick.
unit_div(v) = v >= 4.0 * 2**30 ? 2.0**30 : v >= 4.0 * 2**20 ? 2.0**20 : v >= 4.0 * 2**10 ? 2.0**10 : 1.0
unit_name(v) = v >= 4.0 * 2**30 ? 'GiB' : v >= 4.0 * 2**20 ? 'MiB' : v >= 4.0 * 2**10 ? 'KiB' : 'B'
xdiv = unit_div(xmax)
ydiv = unit_div(ymax)

set title title noenhanced
set xlabel sprintf('bytes allocated and freed so far (%s)', unit_name(xmax))
set ylabel sprintf('heap in use (%s)', unit_name(ymax))
set border 3
set xtics nomirror
set ytics nomirror
set grid xtics ytics lc rgb '#dddddd'
set xrange [0:*]
set yrange [0:*]
set format x '%g'
set format y '%g'
# Under the plot, not inside it: a heap line runs along the top, where a key would hide it.
set key below center horizontal noenhanced samplen 3 spacing 1.2
set linetype 1 lc rgb '#9a9a9a' lw 2.5
set linetype 2 lc rgb '#1f77b4' lw 2.5
set linetype 3 lc rgb '#2ca02c' lw 2.5
set linetype 4 lc rgb '#d62728' lw 2.5
set linetype 5 lc rgb '#9467bd' lw 2.5
set linetype 6 lc rgb '#8c564b' lw 2.5
set linetype 7 lc rgb '#e377c2' lw 2.5
set linetype 8 lc rgb '#17becf' lw 2.5

# Steps, not slanted lines: a heap grows by whole blocks. A variant that
# takes one big block shows as a single jump, not as a ramp that would look
# like many small allocations.
plot for [i = 1:words(datafiles)] word(datafiles, i) using ($1 / xdiv):($2 / ydiv) \
    with steps lt i title word(titles, i)
