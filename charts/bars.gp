# Bars of the primary metric per case, relative to the naive variant
# (naive = 1), with the 95% CI of each median as a whisker and the absolute
# median written above each bar.
# Variables (gnuplot -e): datafile, out, term ('svg' or 'png'), title, metric, variants.
# Data columns: x case variant relative lo hi "median unit" variant-index.

if (term eq 'svg') {
    set terminal svg size 760,380 dynamic enhanced font 'DejaVu Sans,12' background rgb 'white'
} else {
    set terminal pngcairo size 1520,760 enhanced font 'DejaVu Sans,22' background rgb 'white'
}
set output out
set title title.': '.metric.' relative to naive' noenhanced
set border 3
set xtics nomirror scale 0 noenhanced
set ytics nomirror
set grid ytics lc rgb '#dddddd'
set ylabel metric.' / naive' noenhanced
set yrange [0:*]
set offsets 0.6, 0.6, graph 0.12, 0
# Two-line tick labels (variant, then case) need room below the axis.
set bmargin (term eq 'svg' ? 4 : 5)
set key off
set style fill solid 0.85 noborder
set boxwidth 0.8
set linetype 1 lc rgb '#9a9a9a'
set linetype 2 lc rgb '#1f77b4'
set linetype 3 lc rgb '#2ca02c'
set linetype 4 lc rgb '#d62728'
set linetype 5 lc rgb '#9467bd'
set linetype 6 lc rgb '#8c564b'
set linetype 7 lc rgb '#e377c2'
set linetype 8 lc rgb '#17becf'

lblfont = (term eq 'svg') ? ',10' : ',18'
plot datafile using 1:4:(0.8):8:xtic(stringcolumn(3)."\n".stringcolumn(2)) with boxes lc variable, \
     '' using 1:4:5:6 with yerrorbars lc rgb '#333333' pt 0 lw 1.5, \
     '' using 1:6:7 with labels offset 0,0.9 font lblfont noenhanced
