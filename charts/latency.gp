# Latency percentiles of a server lesson, one panel per case, one line per
# variant: p50, p90, p99, p99.9 and max on a log scale (medians over the
# runs), so a tail that is ten times the median shows as a step up.
# Variables (gnuplot -e): datafile, out, term, title, variants, cases.
# Data: one block per case and variant (index = case * variants + variant):
#   x label microseconds

ncases = words(cases)
nvar = words(variants)
if (term eq 'svg') {
    set terminal svg size 380*ncases+120,360 dynamic enhanced font 'DejaVu Sans,12' background rgb 'white'
} else {
    set terminal pngcairo size 760*ncases+240,720 enhanced font 'DejaVu Sans,22' background rgb 'white'
}
set output out
set border 3
set xtics nomirror
set ytics nomirror
set logscale y
set grid ytics mytics lc rgb '#dddddd'
set ylabel 'latency (µs, log scale)'
set xrange [-0.3:4.3]
set key top left noenhanced
set linetype 1 lc rgb '#9a9a9a' pt 7 ps 0.7
set linetype 2 lc rgb '#1f77b4' pt 7 ps 0.7
set linetype 3 lc rgb '#2ca02c' pt 7 ps 0.7
set linetype 4 lc rgb '#d62728' pt 7 ps 0.7
set linetype 5 lc rgb '#9467bd' pt 7 ps 0.7
set multiplot layout 1,ncases title title.': latency percentiles (median of the runs)' noenhanced
do for [c=1:ncases] {
    set title 'case '.word(cases,c) noenhanced
    plot for [v=1:nvar] datafile index ((c-1)*nvar+v-1) using 1:3:xtic(2) with linespoints lt v lw 1.5 title word(variants,v)
}
unset multiplot
