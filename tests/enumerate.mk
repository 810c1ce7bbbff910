# tests of module enumerate
