PKGS_C += md4c-html
