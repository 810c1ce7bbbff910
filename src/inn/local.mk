# inn: actions of invertible networks, layer by layer, as diagrams (layer 4)
