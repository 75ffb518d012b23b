PKGS_C += libgvc
