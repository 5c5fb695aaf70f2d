run-1 	*openaiä
done for today