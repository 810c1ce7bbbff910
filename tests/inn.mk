# tests of module inn (INN actions against the jet route, closed forms, brute force)
