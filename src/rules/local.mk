# rules (layer 2)
