# draw (layer 2)
