# Every timed run of the primary metric in the order it ran, one panel per
# case, one line per variant: the reader sees the noise, outliers and any
# drift that the alternating order kept from biasing the comparison.
# Variables (gnuplot -e): datafile, out, term, title, metric, variants, cases.
# Data: one block per case and variant (index = case * variants + variant).

ncases = words(cases)
nvar = words(variants)
if (term eq 'svg') {
    set terminal svg size 380*ncases+120,340 dynamic enhanced font 'DejaVu Sans,12' background rgb 'white'
} else {
    set terminal pngcairo size 760*ncases+240,680 enhanced font 'DejaVu Sans,22' background rgb 'white'
}
set output out
set border 3
set xtics nomirror
set ytics nomirror
set grid ytics lc rgb '#dddddd'
set xlabel 'run (alternating order)'
set ylabel metric noenhanced
set yrange [0:*]
set key bottom right noenhanced
set linetype 1 lc rgb '#9a9a9a' pt 7 ps 0.6
set linetype 2 lc rgb '#1f77b4' pt 7 ps 0.6
set linetype 3 lc rgb '#2ca02c' pt 7 ps 0.6
set linetype 4 lc rgb '#d62728' pt 7 ps 0.6
set multiplot layout 1,ncases title title.': every run' noenhanced
do for [c=1:ncases] {
    set title 'case '.word(cases,c) noenhanced
    plot for [v=1:nvar] datafile index ((c-1)*nvar+v-1) using 1:2 with linespoints lt v lw 1.5 title word(variants,v)
}
unset multiplot
