"""Theory: EVODiff's information-theoretic argument (`information_theory`) and gDDIM
beyond the isotropic diffusion (`gddim`)."""
