# enumerate (layer 2)
