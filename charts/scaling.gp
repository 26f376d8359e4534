# A metric across the cases of a lesson (concurrency or offered load, in the
# order the lesson lists them), one line per variant, with the 95% CI of
# each median as a whisker: how a server scales.
# Variables (gnuplot -e): datafile, out, term, title, metric, variants.
# Data: one block per variant: x case median lo hi

nvar = words(variants)
if (term eq 'svg') {
    set terminal svg size 760,380 dynamic enhanced font 'DejaVu Sans,12' background rgb 'white'
} else {
    set terminal pngcairo size 1520,760 enhanced font 'DejaVu Sans,22' background rgb 'white'
}
set output out
set title title.': '.metric.' by case' noenhanced
set border 3
set xtics nomirror noenhanced
set ytics nomirror
set grid ytics lc rgb '#dddddd'
set ylabel metric noenhanced
set yrange [0:*]
set offsets 0.3, 0.3, graph 0.1, 0
set key outside right noenhanced
set linetype 1 lc rgb '#9a9a9a' pt 7 ps 0.8
set linetype 2 lc rgb '#1f77b4' pt 7 ps 0.8
set linetype 3 lc rgb '#2ca02c' pt 7 ps 0.8
set linetype 4 lc rgb '#d62728' pt 7 ps 0.8
set linetype 5 lc rgb '#9467bd' pt 7 ps 0.8
plot for [v=1:nvar] datafile index (v-1) using 1:3:xtic(2) with linespoints lt v lw 1.5 title word(variants,v), \
     for [v=1:nvar] datafile index (v-1) using 1:3:4:5 with yerrorbars lt v pt 0 notitle
