run-1 *openaiŠ
from the future