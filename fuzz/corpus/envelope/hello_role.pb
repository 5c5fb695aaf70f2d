run-1 R"player [2J name
